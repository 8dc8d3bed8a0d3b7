export {};
export * from './storage/index.js';
