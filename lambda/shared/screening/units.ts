/**
 * Code units of a string in a typed array, for the screening loops that read every character: an element read of a
 * `Uint16Array` is cheaper than `String#charCodeAt`, which checks the string's representation (one- or two-byte,
 * flat, sliced, concatenated) on every call.
 *
 * @module
 */

const BIG_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 0;
/** Longest text whose buffer a {@link UnitBuffer} keeps between reads (a longer one gets a buffer of its own). */
const KEEP_UNITS = 1 << 16;

/**
 * A reusable buffer of code units. Each scanning module owns one and reads it synchronously, so a read never
 * overwrites units another scan is still reading.
 */
export class UnitBuffer {
  private units = new Uint16Array(1024);
  private bytes = Buffer.from(this.units.buffer);

  /**
   * The UTF-16 code units of `text` (lone surrogates included): one native copy into the reused buffer. Entries at
   * `text.length` and beyond are stale: readers stay below the length. Valid until the next call.
   */
  read(text: string): Uint16Array {
    const n = text.length;
    let units = this.units;
    let bytes = this.bytes;
    if (units.length < n) {
      units = new Uint16Array(n);
      bytes = Buffer.from(units.buffer);
      if (n <= KEEP_UNITS) {
        this.units = units;
        this.bytes = bytes;
      }
    }
    if (BIG_ENDIAN) {
      for (let i = 0; i < n; i++) units[i] = text.charCodeAt(i);
    } else {
      bytes.write(text, 0, 2 * n, 'utf16le');
    }
    return units;
  }
}
