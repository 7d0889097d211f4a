export * from './document-ingestion';
