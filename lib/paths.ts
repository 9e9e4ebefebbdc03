/**
 * POSIX path helpers with node:path's (path.posix) and node:url's fileURLToPath results, for the
 * modules every check loads: importing the first node: module starts Deno's Node compatibility
 * layer, 7 ms of CPU at each start-up, and these five functions are all the check path used of
 * it (bench/README.md, "What a small check costs"). Pure except resolve (the working folder).
 * tests/paths_test.ts compares each with node's on generated paths.
 */

/** The segments of `path` with "." and empty ones dropped and ".." applied. */
function normalizedSegments(path: string, aboveRoot: boolean): string[] {
  const out: string[] = [];
  for (const s of path.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (aboveRoot) out.push("..");
    } else {
      out.push(s);
    }
  }
  return out;
}

export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

export function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = isAbsolute(path);
  let s = normalizedSegments(path, !absolute).join("/");
  if (s === "" && !absolute) s = ".";
  if (s !== "" && path.endsWith("/")) s += "/";
  return absolute ? `/${s}` : s;
}

export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/** The absolute path of `parts` resolved right to left, from the working folder. */
export function resolve(...parts: string[]): string {
  let path = "";
  for (let i = parts.length - 1; i >= -1 && !isAbsolute(path); i--) {
    const p = i >= 0 ? parts[i] : Deno.cwd();
    if (p === "") continue;
    path = path === "" ? p : `${p}/${path}`;
  }
  return `/${normalizedSegments(path, false).join("/")}`;
}

/** The path from `from` to `to`, "" when they are the same. */
export function relative(from: string, to: string): string {
  const f = normalizedSegments(resolve(from), false);
  const t = normalizedSegments(resolve(to), false);
  let common = 0;
  while (common < f.length && common < t.length && f[common] === t[common]) common++;
  return [...f.slice(common).map(() => ".."), ...t.slice(common)].join("/");
}

export function basename(path: string): string {
  let end = path.length;
  while (end > 0 && path[end - 1] === "/") end--;
  return path.slice(path.lastIndexOf("/", end - 1) + 1, end);
}

export function dirname(path: string): string {
  if (path === "") return ".";
  const rooted = path[0] === "/";
  // The last slash that follows a character other than a slash, trailing slashes skipped.
  let end = -1;
  let trailing = true;
  for (let i = path.length - 1; i >= 1; i--) {
    if (path[i] === "/") {
      if (!trailing) {
        end = i;
        break;
      }
    } else {
      trailing = false;
    }
  }
  if (end === -1) return rooted ? "/" : ".";
  if (rooted && end === 1) return "//";
  return path.slice(0, end);
}

/** The path of a file: URL (no host, no encoded slash), as node:url's fileURLToPath. */
export function fileURLToPath(url: string | URL): string {
  const u = typeof url === "string" ? new URL(url) : url;
  if (u.protocol !== "file:") throw new TypeError(`not a file: URL: ${u.href}`);
  if (u.hostname !== "" && u.hostname !== "localhost") {
    throw new TypeError(`a file: URL with a host: ${u.href}`);
  }
  if (/%2f/i.test(u.pathname)) throw new TypeError(`an encoded / in a file: URL: ${u.href}`);
  return decodeURIComponent(u.pathname);
}
