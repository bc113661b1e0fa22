/**
 * File extension to media type lookup for the static file service.
 *
 * @module
 */

/** Built-in media types by lower-case extension (with the dot). */
const MIME_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".cjs": "text/javascript; charset=utf-8",
  ".jgz": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonld": "application/ld+json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".xhtml": "application/xhtml+xml; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".bmp": "image/bmp",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".eot": "application/vnd.ms-fontobject",
  ".wasm": "application/wasm",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".gz": "application/gzip",
  ".tar": "application/x-tar",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".wav": "audio/wav",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
};

/** The fallback for unknown extensions. */
export const DEFAULT_MIME_TYPE = "application/octet-stream";

/**
 * Builds a lookup function from the built-in table plus `extra`
 * (`{".ext": "type"}`, Crossbar's `mime_types` option), where `extra` wins.
 */
export function createMimeLookup(
  extra: Readonly<Record<string, string>> = {},
): (fileName: string) => string {
  const table = new Map(Object.entries(MIME_TYPES));
  for (const [ext, type] of Object.entries(extra)) {
    const key = (ext.startsWith(".") ? ext : `.${ext}`).toLowerCase();
    table.set(key, type);
  }
  return (fileName) => {
    const dot = fileName.lastIndexOf(".");
    if (dot <= 0) return DEFAULT_MIME_TYPE;
    return table.get(fileName.slice(dot).toLowerCase()) ?? DEFAULT_MIME_TYPE;
  };
}
