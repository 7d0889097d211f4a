export * from './table-backup';
