import { BadRequestError, RequestTooLargeError } from '../../../lambda/gateway/errors';
import { DEFAULT_MAX_IMAGE_BYTES, decodeImagePart } from '../../../lambda/gateway/images';
import { tinyPng } from '../../helpers/png';

const dataUrl = (mime: string, bytes: Buffer) => `data:${mime};base64,${bytes.toString('base64')}`;
const decode = (part: unknown, max = DEFAULT_MAX_IMAGE_BYTES) => decodeImagePart(part, 'messages[0].content[1]', max);
const errorOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
};

describe('decodeImagePart', () => {
  describe('defaults', () => {
    test('decodes a PNG data URL to its bytes', () => {
      const png = tinyPng();
      const img = decode({ url: dataUrl('image/png', png), detail: 'low' });
      expect(img.format).toBe('png');
      expect(Buffer.from(img.bytes).equals(png)).toBe(true);
    });

    test('decodes a JPEG data URL (image/jpg too)', () => {
      const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);
      expect(decode({ url: dataUrl('image/jpeg', jpeg) }).format).toBe('jpeg');
      expect(decode({ url: dataUrl('image/jpg', jpeg) }).format).toBe('jpeg');
    });
  });

  describe('validation', () => {
    test.each(['https://example.com/cat.png', 'http://169.254.169.254/latest/meta-data'])('fails if the URL is remote (%s): 400 unsupported_parameter, nothing fetched', (url) => {
      const err = errorOf(() => decode({ url }));
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err).toMatchObject({ code: 'unsupported_parameter', param: 'messages[0].content[1].image_url.url' });
      expect((err as Error).message).toMatch(/never fetches/);
    });

    test.each(['image/gif', 'image/webp', 'image/svg+xml'])('fails if the type is %s: the guardrail cannot evaluate it', (mime) => {
      const err = errorOf(() => decode({ url: dataUrl(mime, tinyPng()) }));
      expect(err).toMatchObject({ code: 'unsupported_parameter' });
      expect((err as Error).message).toMatch(/image\/png or image\/jpeg/);
    });

    test('fails if the bytes do not match the declared type', () => {
      expect(errorOf(() => decode({ url: dataUrl('image/jpeg', tinyPng()) }))).toMatchObject({ code: 'invalid_value' });
      expect(errorOf(() => decode({ url: dataUrl('image/png', Buffer.from('<svg onload=alert(1)>')) }))).toMatchObject({ code: 'invalid_value' });
    });

    test('fails if the image is larger than the limit: 413, before and after decoding', () => {
      const png = tinyPng();
      expect(errorOf(() => decode({ url: dataUrl('image/png', png) }, png.length - 1))).toBeInstanceOf(RequestTooLargeError);
      expect(decode({ url: dataUrl('image/png', png) }, png.length).bytes.length).toBe(png.length);
      const huge = `data:image/png;base64,${'A'.repeat(4_000)}`;
      expect(errorOf(() => decode({ url: huge }, 1_000))).toBeInstanceOf(RequestTooLargeError);
    });

    test.each([{}, { url: 42 }, { url: 'data:image/png,rawbytes' }, { url: 'data:image/png;base64,***' }, null])('fails if the part is malformed (%j)', (part) => {
      expect(errorOf(() => decode(part))).toBeInstanceOf(BadRequestError);
    });
  });
});
