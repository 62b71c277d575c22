/**
 * lowlight's core without a grammar: its own module so that a dynamic import of it brings only
 * the engine (lowlight's index also exports every grammar highlight.js has; the bundler drops
 * them, as lowlight declares no side effects).
 */
export { createLowlight } from 'lowlight';
