/**
 * The pure part of the chunk screen: which chunks of one Bedrock content batch may be indexed, and what is recorded
 * about those that may not. No I/O, so it can be unit- and property-tested.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { screenDocument } from '../shared/screening/document';

/**
 * One chunk of a content batch file, as Bedrock writes it to the intermediate bucket for a custom transformation
 * (Amazon Bedrock User Guide, "Use a custom transformation Lambda function to define how your data is ingested").
 * Unknown fields are kept as they are.
 */
export const contentItemSchema = z.looseObject({
  contentBody: z.string(),
  contentType: z.string().optional(),
  contentMetadata: z.record(z.string(), z.unknown()).optional(),
});

/** A content batch file: `{ "fileContents": [ { contentBody, contentType, contentMetadata }, … ] }`. */
export const contentBatchSchema = z.looseObject({ fileContents: z.array(contentItemSchema) });

/** One chunk of a content batch. */
export type ContentItem = z.infer<typeof contentItemSchema>;
/** The signal of a chunk withheld because it is not text. */
export const UNSCREENABLE_SIGNAL = 'unscreenable-content-type';

/** A content batch file. */
export type ContentBatch = z.infer<typeof contentBatchSchema>;

/** What is recorded about a chunk that is withheld from the index: hashes, counts and rule ids, never its text. */
export interface WithheldChunk {
  /** SHA-256 (hex) of the chunk's text. */
  readonly chunkSha256: string;
  /** Position of the chunk in its batch. */
  readonly position: number;
  /** Length of the chunk in UTF-16 code units. */
  readonly length: number;
  /** What fired (`credential`, `hidden-text`, `indirect.*`, …). */
  readonly signals: string[];
  /** Injection risk in [0, 1]. */
  readonly injectionScore: number;
  /** Number of credentials found. */
  readonly credentials: number;
}

/** The result of {@link screenBatch}. */
export interface ScreenedBatch {
  /** The batch with only the clean chunks, each unchanged and in its original order. */
  readonly batch: ContentBatch;
  /** The withheld chunks. */
  readonly withheld: WithheldChunk[];
}

/**
 * Screens every chunk of a batch with {@link screenDocument}: clean chunks are kept unchanged, suspicious ones are
 * dropped (so never embedded nor indexed) and described by hash and signals. A chunk whose `contentType` is set to
 * something other than `TEXT` cannot be screened as text: it is withheld too (signal {@link UNSCREENABLE_SIGNAL}),
 * failing closed rather than indexing content nobody looked at.
 */
export function screenBatch(batch: ContentBatch): ScreenedBatch {
  const kept: ContentItem[] = [];
  const withheld: WithheldChunk[] = [];
  batch.fileContents.forEach((item, position) => {
    const text = item.contentType === undefined || item.contentType.toUpperCase() === 'TEXT';
    const result = text ? screenDocument(item.contentBody) : { verdict: 'quarantine', signals: [UNSCREENABLE_SIGNAL], injectionScore: 0, credentials: 0 };
    if (result.verdict === 'clean') {
      kept.push(item);
      return;
    }
    withheld.push({
      chunkSha256: createHash('sha256').update(item.contentBody, 'utf8').digest('hex'),
      position,
      length: item.contentBody.length,
      signals: result.signals,
      injectionScore: result.injectionScore,
      credentials: result.credentials,
    });
  });
  return { batch: { ...batch, fileContents: kept }, withheld };
}
