export * from './errors.js';
export * from './serialize.js';
