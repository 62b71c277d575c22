/**
 * One authentication challenge from a `WWW-Authenticate` header (RFC 7235): a scheme and its
 * parameters, names lowercased. `Bearer realm="https://auth.example/token",service="registry"`.
 */
export type Challenge = { readonly scheme: string; readonly params: Readonly<Record<string, string>> };

/**
 * Parses a `WWW-Authenticate` value, which may hold several challenges (fetch joins repeated
 * headers with ", "). Quoted strings may contain commas and escaped quotes. Unparseable input
 * gives the challenges read so far.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const n = header.length;
  const skipWs = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const token = () => {
    const start = i;
    while (i < n && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  while (i < n) {
    skipWs();
    if (header[i] === ',') {
      i++;
      continue;
    }
    const word = token();
    if (word === '') break;
    skipWs();
    if (header[i] === '=' && out.length > 0) {
      // auth-param of the current challenge
      i++;
      skipWs();
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++;
      } else {
        value = token();
      }
      out[out.length - 1]!.params[word.toLowerCase()] = value;
      skipWs();
      if (header[i] === ',') i++;
      continue;
    }
    // a new challenge; a token68 (`Basic abc==`) right after it is ignored
    out.push({ scheme: word.toLowerCase(), params: {} });
    const save = i;
    const maybe = token();
    skipWs();
    if (maybe !== '' && header[i] !== '=') {
      while (i < n && header[i] === '=') i++;
    } else {
      i = save;
    }
  }
  return out;
}

/** Picks the challenge the client answers: Bearer before Basic; undefined when neither is offered. */
export function chooseChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}
