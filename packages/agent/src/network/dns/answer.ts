// The resolver's decision for one question, kept pure: answer from the asker's networks, or forward.
import { RCODE, RR_TYPE, type Answer, type Question } from './codec.js';
import type { Asker, Resolver } from './directory.js';

export type Decision =
  | { readonly kind: 'answer'; readonly rcode: number; readonly answers: readonly Answer[] }
  | { readonly kind: 'forward' };

export interface AnswerOptions {
  readonly ttlSeconds: number;
  /** Whether upstream resolvers exist; without them an unknown name is NXDOMAIN here. */
  readonly canForward: boolean;
  /** Shuffles answers (Docker does, so clients do not all pick the first address). */
  readonly shuffle: <T>(items: T[]) => T[];
}

/** 4.3.2.1.in-addr.arpa → 1.2.3.4 (IPv4 reverse names only). */
export function reverseIPv4(name: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa\.?$/i.exec(name);
  return m ? [m[4], m[3], m[2], m[1]].join('.') : undefined;
}

/**
 * A name none of the asker's networks has. A sandbox without external access is never forwarded:
 * like Docker's resolver with forwarding disabled, it gets SERVFAIL, so nothing about outside names
 * leaves the node on its behalf.
 */
function notLocal(asker: Asker, options: AnswerOptions): Decision {
  if (!asker.external) return { kind: 'answer', rcode: RCODE.SERVFAIL, answers: [] };
  return options.canForward ? { kind: 'forward' } : { kind: 'answer', rcode: RCODE.NXDOMAIN, answers: [] };
}

export function decide(resolver: Resolver, asker: Asker, question: Question, options: AnswerOptions): Decision {
  if (question.type === RR_TYPE.PTR) {
    const ip = reverseIPv4(question.name);
    for (const net of ip === undefined ? [] : asker.networks) {
      const target = resolver.lookupAddress(net, ip!);
      if (target !== undefined) {
        return { kind: 'answer', rcode: RCODE.NOERROR, answers: [{ type: 'PTR', name: question.name, ttl: options.ttlSeconds, target }] };
      }
    }
    return notLocal(asker, options);
  }
  for (const net of asker.networks) {
    const found = resolver.lookupName(net, question.name);
    if (found === undefined) continue;
    // A name we own answers every type itself (empty for types it lacks), so a sandbox never leaks
    // an internal name to outside resolvers, e.g. via the AAAA query that follows every A query.
    let answers: Answer[] = [];
    if (question.type === RR_TYPE.A) {
      answers = found.ipv4.map((address) => ({ type: 'A', name: question.name, ttl: options.ttlSeconds, address }));
    } else if (question.type === RR_TYPE.AAAA) {
      answers = found.ipv6.map((address) => ({ type: 'AAAA', name: question.name, ttl: options.ttlSeconds, address }));
    }
    return { kind: 'answer', rcode: RCODE.NOERROR, answers: options.shuffle(answers) };
  }
  return notLocal(asker, options);
}
