export * from './errors';
export * from './search-attributes';
