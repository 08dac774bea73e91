export * from './dependency.js';
export * from './errors.js';
export * from './serialize.js';
