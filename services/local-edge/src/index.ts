export { type LocalEdge, type LocalEdgeOptions, startLocalEdge } from './edge.js';
export { type LocalEdgeSettings, localEdgeSchema } from './settings.js';
