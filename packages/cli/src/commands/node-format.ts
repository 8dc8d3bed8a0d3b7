// How docker prints nodes: the `node ls` table and `node inspect --pretty`.

import { renderList, sortedRow, type ListFormatter, type ListOptions } from '../format/list.js';
import { bytesSize, goTimeString, naturalCompare, prettyPrint } from '../format/text.js';

export interface TLSInfo {
  TrustRoot?: string;
  CertIssuerSubject?: string;
  CertIssuerPublicKey?: string;
}

export interface Node {
  ID: string;
  Version: { Index: number };
  CreatedAt?: string;
  Spec: { Name?: string; Labels?: Record<string, string> | null; Role?: string; Availability?: string };
  Description?: {
    Hostname?: string;
    Platform?: { Architecture?: string; OS?: string };
    Resources?: { NanoCPUs?: number; MemoryBytes?: number };
    Engine?: { EngineVersion?: string; Labels?: Record<string, string>; Plugins?: { Type: string; Name: string }[] };
    TLSInfo?: TLSInfo;
  };
  Status?: { State?: string; Message?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string; Addr?: string } | null;
}

export interface SwarmInfo {
  NodeID?: string;
  Cluster?: { TLSInfo?: TLSInfo } | null;
}

export const NODE_FORMATTER: ListFormatter = {
  defaultTable:
    'table {{.ID}} {{if .Self}}*{{else}} {{ end }}\t{{.Hostname}}\t{{.Status}}\t{{.Availability}}\t{{.ManagerStatus}}\t{{.EngineVersion}}',
  headers: {
    ID: 'ID',
    Self: '',
    Hostname: 'HOSTNAME',
    Status: 'STATUS',
    Availability: 'AVAILABILITY',
    ManagerStatus: 'MANAGER STATUS',
    EngineVersion: 'ENGINE VERSION',
    TLSStatus: 'TLS STATUS',
  },
};

function tlsEmpty(info: TLSInfo | undefined): boolean {
  return !info || (!info.TrustRoot && !info.CertIssuerSubject && !info.CertIssuerPublicKey);
}

function tlsStatus(node: Node, swarm: SwarmInfo): string {
  const mine = node.Description?.TLSInfo;
  const cluster = swarm.Cluster?.TLSInfo;
  if (tlsEmpty(cluster) || tlsEmpty(mine)) return 'Unknown';
  const same =
    mine?.TrustRoot === cluster?.TrustRoot &&
    mine?.CertIssuerSubject === cluster?.CertIssuerSubject &&
    mine?.CertIssuerPublicKey === cluster?.CertIssuerPublicKey;
  return same ? 'Ready' : 'Needs Rotation';
}

/** `node ls` output: rows in natural hostname order, `*` on the node the daemon runs. */
export function renderNodeList(nodes: Node[], swarm: SwarmInfo, options: ListOptions): string {
  const sorted = [...nodes].sort((a, b) => naturalCompare(a.Description?.Hostname ?? '', b.Description?.Hostname ?? ''));
  const rows = sorted.map((node) => {
    const manager = node.ManagerStatus ? (node.ManagerStatus.Leader ? 'Leader' : (node.ManagerStatus.Reachability ?? '')) : '';
    return sortedRow({
      ID: node.ID,
      Self: node.ID === swarm.NodeID,
      Hostname: node.Description?.Hostname ?? '',
      Status: prettyPrint(node.Status?.State ?? ''),
      Availability: prettyPrint(node.Spec.Availability ?? ''),
      ManagerStatus: prettyPrint(manager),
      TLSStatus: tlsStatus(node, swarm),
      EngineVersion: node.Description?.Engine?.EngineVersion ?? '',
    });
  });
  return renderList(NODE_FORMATTER, rows, options);
}

function labelLines(title: string, labels: Record<string, string> | null | undefined): string[] {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return [];
  return [title, ...keys.map((key) => ` - ${key}${labels?.[key] ? `=${labels[key]}` : ''}`)];
}

/** docker's nodeInspectPrettyTemplate, line for line. */
export function renderNodePretty(node: Node): string {
  const description = node.Description ?? {};
  const lines = [`ID:\t\t\t${node.ID}`];
  if (node.Spec.Name) lines.push(`Name:\t\t\t${node.Spec.Name}`);
  lines.push(...labelLines('Labels:', node.Spec.Labels));
  lines.push(`Hostname:              \t${description.Hostname ?? ''}`);
  lines.push(`Joined at:             \t${prettyPrint(goTimeString(node.CreatedAt ?? ''))}`);
  lines.push('Status:', ` State:\t\t\t${prettyPrint(node.Status?.State ?? '')}`);
  if (node.Status?.Message) lines.push(` Message:              \t${prettyPrint(node.Status.Message)}`);
  lines.push(` Availability:         \t${prettyPrint(node.Spec.Availability ?? '')}`);
  if (node.Status?.Addr) lines.push(` Address:\t\t${node.Status.Addr}`);
  if (node.ManagerStatus) {
    lines.push(
      'Manager Status:',
      ` Address:\t\t${node.ManagerStatus.Addr ?? ''}`,
      ` Raft Status:\t\t${prettyPrint(node.ManagerStatus.Reachability ?? '')}`,
      ` Leader:\t\t${node.ManagerStatus.Leader ? 'Yes' : 'No'}`,
    );
  }
  const nanoCpus = description.Resources?.NanoCPUs ?? 0;
  const memory = description.Resources?.MemoryBytes ?? 0;
  lines.push(
    'Platform:',
    ` Operating System:\t${description.Platform?.OS ?? ''}`,
    ` Architecture:\t\t${description.Platform?.Architecture ?? ''}`,
    'Resources:',
    ` CPUs:\t\t\t${Math.trunc(nanoCpus / 1e9)}`,
    ` Memory:\t\t${memory === 0 ? '' : bytesSize(memory)}`,
  );
  const plugins = new Map<string, string[]>();
  for (const plugin of description.Engine?.Plugins ?? []) plugins.set(plugin.Type, [...(plugins.get(plugin.Type) ?? []), plugin.Name]);
  if (plugins.size > 0) {
    lines.push('Plugins:');
    for (const type of [...plugins.keys()].sort()) lines.push(` ${type}:\t\t${(plugins.get(type) ?? []).join(', ')}`);
  }
  lines.push(`Engine Version:\t\t${description.Engine?.EngineVersion ?? ''}`);
  lines.push(...labelLines('Engine Labels:', description.Engine?.Labels));
  const tls = description.TLSInfo;
  if (!tlsEmpty(tls)) {
    lines.push(
      'TLS Info:',
      ' TrustRoot:',
      tls?.TrustRoot ?? '',
      ` Issuer Subject:\t${tls?.CertIssuerSubject ?? ''}`,
      ` Issuer Public Key:\t${tls?.CertIssuerPublicKey ?? ''}`,
    );
  }
  return lines.join('\n') + '\n';
}
