// Small text helpers shared by docker's formatters.

/** docker's formatter.PrettyPrint: first letter upper case, the rest lower case. */
export function prettyPrint(value: string): string {
  return value.slice(0, 1).toUpperCase() + value.slice(1).toLowerCase();
}

/** Truncates an ID to 12 characters after any "sha256:" prefix, like docker's TruncateID. */
export function truncateId(id: string): string {
  const bare = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
  return bare.slice(0, 12);
}

/** docker's formatter.Ellipsis: keeps at most `max` characters, the last one an ellipsis. */
export function ellipsis(value: string, max: number): string {
  const chars = [...value];
  if (chars.length <= max) return value;
  return chars.slice(0, max - 1).join('') + '…';
}

/** go-units BytesSize: binary units, 4 significant digits ("23.54GiB"). */
export function bytesSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toPrecision(4))}${units[unit]}`;
}

/** fvbommel/sortorder natural order: digit runs compare as numbers. */
export function naturalLess(a: string, b: string): boolean {
  return naturalCompare(a, b) < 0;
}

export function naturalCompare(a: string, b: string): number {
  const chunk = /(\d+|\D+)/g;
  const left = a.match(chunk) ?? [];
  const right = b.match(chunk) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x === y) continue;
    const xDigits = /^\d/.test(x);
    const yDigits = /^\d/.test(y);
    if (xDigits && yDigits) {
      const xn = x.replace(/^0+/, '');
      const yn = y.replace(/^0+/, '');
      if (xn.length !== yn.length) return xn.length - yn.length;
      if (xn !== yn) return xn < yn ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/**
 * Go's default time.Time format ("2026-11-26 11:59:45.876049687 +0000 UTC") for an RFC 3339
 * timestamp as the Engine API sends it; kept as text so nanoseconds survive.
 */
export function goTimeString(rfc3339: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(rfc3339);
  if (!match) return rfc3339;
  const fraction = (match[3] ?? '').replace(/0+$/, '').replace(/^\.$/, '');
  const zone = match[4] === 'Z' || match[4] === undefined ? '+0000 UTC' : `${match[4].replace(':', '')} ${match[4].replace(':', '')}`;
  return `${match[1]} ${match[2]}${fraction} ${zone}`;
}
