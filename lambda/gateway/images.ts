/**
 * Image content parts (`{ type: "image_url", image_url: { url } }`) of a chat request, decoded from `data:` URLs.
 * Pure and I/O-free: the gateway never fetches a URL a client names, so a remote `http(s)` URL is refused.
 *
 * Decisions:
 * - Only `image/png` and `image/jpeg`. The images go to Converse as guard content (`guardContent.image`), so that the
 *   guardrail's image content filters evaluate them; guard content images can only be PNG or JPEG (Bedrock API
 *   reference, GuardrailConverseImageBlock). Once a request carries guard content the guardrail evaluates ONLY guard
 *   content, so a GIF or WebP sent as a plain `image` block would reach the model unevaluated: refused (400).
 * - The declared type must match the bytes' signature (PNG's 8-byte magic, JPEG's SOI marker): a mislabelled file is
 *   refused rather than passed on under a type the model or the guardrail would misread.
 * - The decoded size is checked before decoding, from the base64 length (413 over the limit).
 * - `detail` is accepted and ignored (Converse has no such setting; it does not change what the client gets back).
 *
 * @module
 */
import { BadRequestError, RequestTooLargeError } from './errors';

/** Image formats the gateway accepts (guard content image formats). */
export const IMAGE_FORMATS = ['png', 'jpeg'] as const;

/** One of {@link IMAGE_FORMATS}. */
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** A decoded image of a user message. */
export interface ImageInput {
  readonly format: ImageFormat;
  readonly bytes: Uint8Array;
}

/** Largest decoded image by default: Bedrock's per-image limit for Converse image blocks (3.75 MB). */
export const DEFAULT_MAX_IMAGE_BYTES = 3_750_000;
/**
 * Most images in one request by default: none. Images are opt-in (`maxImagesPerRequest`): turning them on also has the
 * guardrail's content filters evaluate the IMAGE modality, which Bedrock offers in some regions only.
 */
export const DEFAULT_MAX_IMAGES = 0;

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/]*={0,2})$/i;
const MIME_FORMATS: Readonly<Record<string, ImageFormat>> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg' };
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
}

/**
 * Decodes one `image_url` content part.
 *
 * @param part - the part's `image_url` value as sent (an object with `url`, or a bare string as some clients send)
 * @param param - the part's parameter path for errors, e.g. `messages[0].content[1]`
 * @param maxBytes - the largest decoded image
 * @throws BadRequestError (400) for a remote URL, a malformed data URL, a refused type or bytes that do not match it;
 *   RequestTooLargeError (413) for an image over `maxBytes`
 */
export function decodeImagePart(part: unknown, param: string, maxBytes: number): ImageInput {
  const urlParam = `${param}.image_url.url`;
  const url = typeof part === 'string' ? part : typeof part === 'object' && part !== null ? (part as { url?: unknown }).url : undefined;
  if (typeof url !== 'string') throw new BadRequestError(`${param}.image_url needs a url.`, { code: 'invalid_value', param: urlParam });
  if (/^https?:/i.test(url)) {
    throw new BadRequestError(
      'Remote image URLs are not supported: the gateway never fetches a URL a client names. Send the image inline as a data: URL (data:image/png;base64,...).',
      { code: 'unsupported_parameter', param: urlParam },
    );
  }
  // Refuse by length before the regular expression and the decoder touch a huge string.
  const maxUrlChars = Math.ceil(maxBytes / 3) * 4 + 64;
  if (url.length > maxUrlChars) {
    throw new RequestTooLargeError(`${param} holds an image larger than the limit of ${maxBytes} bytes.`, { param: urlParam });
  }
  const m = DATA_URL.exec(url);
  if (m === null) {
    throw new BadRequestError('An image must be a base64 data: URL, e.g. data:image/png;base64,....', { code: 'invalid_value', param: urlParam });
  }
  const mime = m[1]!.toLowerCase();
  const format = MIME_FORMATS[mime];
  if (format === undefined) {
    throw new BadRequestError(
      `Images of type ${mime.slice(0, 40)} are not supported; send image/png or image/jpeg (the only types the guardrail's image filters evaluate).`,
      { code: 'unsupported_parameter', param: urlParam },
    );
  }
  const bytes = Buffer.from(m[2]!, 'base64');
  if (bytes.length > maxBytes) {
    throw new RequestTooLargeError(`${param} holds an image of ${bytes.length} bytes, more than the limit of ${maxBytes}.`, { param: urlParam });
  }
  if (!startsWith(bytes, format === 'png' ? PNG_SIGNATURE : JPEG_SIGNATURE)) {
    throw new BadRequestError(`${param} is not a ${format.toUpperCase()} image (its bytes do not match the declared type).`, {
      code: 'invalid_value',
      param: urlParam,
    });
  }
  return { format, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
}
