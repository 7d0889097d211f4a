export * from './model-customization';
