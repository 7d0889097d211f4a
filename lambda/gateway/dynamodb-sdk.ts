/**
 * The part of `@aws-sdk/client-dynamodb` the quota and budget stores use. Loaded only through `dynamoDbSdk()`
 * (deferred-sdk.ts); naming the exports here lets esbuild drop the rest of the client from the bundle.
 */
export { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
