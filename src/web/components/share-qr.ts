/** A result's link as a QR code, for the printed report: the library (lean-qr) loads only when a stored result is shown. */

/** The code's modules as one SVG path (`size` modules square, no quiet zone). */
export interface ShareQr {
  size: number;
  path: string;
}

/** The QR code of `url`, with error correction level M or better (ISO/IEC 18004: about 15 % of it may be creased or smudged on paper). */
export async function shareQr(url: string): Promise<ShareQr> {
  const [{ generate, correction }, { toSvgPath }] = await Promise.all([import('lean-qr'), import('lean-qr/extras/svg')]);
  const code = generate(url, { minCorrectionLevel: correction.M });
  return { size: code.size, path: toSvgPath(code) };
}
