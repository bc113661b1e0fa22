/**
 * Absolute file paths as `file:` URLs (percent-encoding what needs it).
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * @param path A file path (made absolute against the current directory).
 * @returns Its `file:` URL.
 */
export function toFileUrl(path: string): string {
  return pathToFileURL(resolve(path)).href;
}
