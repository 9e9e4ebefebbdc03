/**
 * Finding the program to check: a path with a slash is taken as written, a bare name is looked
 * up in PATH, as a shell would. Problems are reported before anything is started.
 */

import { isAbsolute, join, resolve } from "../paths.ts";
import { InputError } from "../errors.ts";
import type { ProgramSpec } from "./spec.ts";

function executableFile(path: string): "ok" | "missing" | "directory" | "not-executable" {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return "missing";
  }
  if (info.isDirectory) return "directory";
  if (!info.isFile || info.mode === null || (info.mode & 0o111) === 0) return "not-executable";
  return "ok";
}

export function resolveProgram(
  program: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = Deno.env.toObject(),
): ProgramSpec {
  if (program === "") throw new InputError("the program name is empty");
  let path: string | null = null;
  if (program.includes("/")) {
    path = isAbsolute(program) ? program : resolve(program);
  } else {
    for (const dir of (env.PATH ?? "").split(":")) {
      const candidate = join(dir === "" ? "." : dir, program);
      if (executableFile(candidate) === "ok") {
        path = resolve(candidate);
        break;
      }
    }
    if (path === null) throw new InputError(`${program}: no such program (not found in PATH)`);
  }
  switch (executableFile(path)) {
    case "missing":
      throw new InputError(`${program}: no such file`);
    case "directory":
      throw new InputError(`${program}: is a directory, not a program`);
    case "not-executable":
      throw new InputError(`${program}: not executable (chmod +x ${program}?)`);
    case "ok":
      return { path, args, argv0: program, env };
  }
}
