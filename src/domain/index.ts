export * from './errors';
export * from './search-attributes';
export * from './durations';
export * from './fingerprint';
export * from './certificate-names';
export * from './rotation';
export * from './rotation-request';
