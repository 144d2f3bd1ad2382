/**
 * V8 flags the server process runs with: package.json's `start` and `mingde` scripts and
 * bin/mingde.mjs pass them on the command line (V8 sizes its heap before any of our code runs, and
 * NODE_OPTIONS refuses this flag), and bench:api starts its servers with them. node-flags.test.ts
 * keeps those places in step with this list.
 *
 * --initial-old-space-size: left alone, V8 sizes the old generation from the live heap (~40 MB), so
 * under load (~4 MB/s promoted at 1,000 requests/s) it ran a full collection every 2.5–5 s; each one
 * stalls an event loop that is ~90 % busy, and the backlog took ~1 s to clear (bench:api's slow
 * requests came in exactly those seconds). From 512 MB on, a full collection comes about every
 * 90 s at that load, and still pauses ~10 ms: its cost follows the live data, not the garbage. The
 * heap may grow to that size before it is collected; nothing is reserved up front.
 */
export const SERVER_NODE_FLAGS = ['--initial-old-space-size=512'] as const;
