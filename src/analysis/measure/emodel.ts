/**
 * ITU-T G.107 (06/2015) E-model: transmission rating R and its MOS estimate.
 *
 *   R = Ro - Is - Id - Ie,eff + A                                  (§7.1)
 * Ro (basic signal-to-noise ratio) and Is (simultaneous impairments) from §7.2-7.3, Id
 * (delay: talker echo Idte, listener echo Idle, absolute delay Idd) from §7.4, and
 *   Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl)          (§7.5)
 * MOS from R per Annex B. With every parameter at its Table 3 default R = 93.2.
 *
 * Opus has no G.113 constants, so callprobe uses G.711 with packet-loss concealment as the
 * stand-in: Ie = 0, Bpl = 25.1 (G.113 Appendix I, Table I.3). The caller states that, and
 * the delay allowance it adds, in the report's `assumptions`.
 */

/** G.107 Table 3 parameters (units per G.107: dB, dBm0p, dB(A), ms, %). */
export interface EModelParams {
  SLR: number;
  RLR: number;
  STMR: number;
  LSTR: number;
  Ds: number;
  TELR: number;
  WEPL: number;
  /** Mean one-way delay of the echo path, ms. */
  T: number;
  /** Round-trip delay in a 4-wire loop, ms. */
  Tr: number;
  /** Absolute (mouth-to-ear) delay, ms. */
  Ta: number;
  qdu: number;
  Ie: number;
  Bpl: number;
  /** Random packet-loss probability, %. */
  Ppl: number;
  BurstR: number;
  Nc: number;
  Nfor: number;
  Ps: number;
  Pr: number;
  A: number;
  /** Minimum perceivable delay mT and delay sensitivity sT (Table 1, default class). */
  mT: number;
  sT: number;
}

/** G.107 (06/2015) Table 3 default values. */
const G107_DEFAULTS: Readonly<EModelParams> = Object.freeze({
  SLR: 8,
  RLR: 2,
  STMR: 15,
  LSTR: 18,
  Ds: 3,
  TELR: 65,
  WEPL: 110,
  T: 0,
  Tr: 0,
  Ta: 0,
  qdu: 1,
  Ie: 0,
  Bpl: 4.3,
  Ppl: 0,
  BurstR: 1,
  Nc: -70,
  Nfor: -64,
  Ps: 35,
  Pr: 35,
  A: 0,
  mT: 100,
  sT: 1,
});

/** G.113 Appendix I: G.711 with packet-loss concealment. */
export const G711_PLC = Object.freeze({ Ie: 0, Bpl: 25.1 });

export interface EModelResult {
  R: number;
  mos: number;
  Ro: number;
  Is: number;
  Id: number;
  Idte: number;
  Idle: number;
  Idd: number;
  IeEff: number;
}

const log10 = Math.log10;

/** Annex B: MOS (conversational quality estimate) from R. */
export function mosFromR(R: number): number {
  if (R <= 0) return 1;
  if (R >= 100) return 4.5;
  return 1 + 0.035 * R + R * (R - 60) * (100 - R) * 7e-6;
}

/** §7.5: effective equipment impairment for Ppl % loss with burst ratio BurstR. */
export function effectiveEquipmentImpairment(Ie: number, Bpl: number, PplPct: number, BurstR: number): number {
  return Ie + ((95 - Ie) * PplPct) / (PplPct / BurstR + Bpl);
}

/** §7.4 Idd: impairment from too-long absolute delay Ta. */
export function absoluteDelayImpairment(Ta: number, mT = 100, sT = 1): number {
  if (Ta <= mT) return 0;
  const X = log10(Ta / mT) / log10(2);
  const k = 6 * sT;
  return 25 * ((1 + X ** k) ** (1 / k) - 3 * (1 + (X / 3) ** k) ** (1 / k) + 2);
}

/** The full G.107 computation for the given parameters (defaults for the rest). */
export function eModel(overrides: Partial<EModelParams> = {}): EModelResult {
  const p: EModelParams = { ...G107_DEFAULTS, ...overrides };
  const OLR = p.SLR + p.RLR;
  // §7.2 basic signal-to-noise ratio.
  const Nfo = p.Nfor + p.RLR;
  const Pre = p.Pr + 10 * log10(1 + 10 ** ((10 - p.LSTR) / 10));
  const Nor = p.RLR - 121 + Pre + 0.008 * (Pre - 35) ** 2;
  const Nos = p.Ps - p.SLR - p.Ds - 100 + 0.004 * (p.Ps - OLR - p.Ds - 14) ** 2;
  const No = 10 * log10(10 ** (p.Nc / 10) + 10 ** (Nos / 10) + 10 ** (Nor / 10) + 10 ** (Nfo / 10));
  const Ro = 15 - 1.5 * (p.SLR + No);
  // §7.3 simultaneous impairment factor.
  const Xolr = OLR + 0.2 * (64 + No - p.RLR);
  const Iolr = 20 * ((1 + (Xolr / 8) ** 8) ** (1 / 8) - Xolr / 8);
  const STMRo = -10 * log10(10 ** (-p.STMR / 10) + Math.exp(-p.T / 4) * 10 ** (-p.TELR / 10));
  const Ist =
    12 * (1 + ((STMRo - 13) / 6) ** 8) ** (1 / 8) - 28 * (1 + ((STMRo + 1) / 19.4) ** 35) ** (1 / 35) - 13 * (1 + ((STMRo - 3) / 33) ** 13) ** (1 / 13) + 29;
  const Q = 37 - 15 * log10(p.qdu);
  const G = 1.07 + 0.258 * Q + 0.0602 * Q ** 2;
  const Y = (Ro - 100) / 15 + 46 / 8.4 - G / 9;
  const Z = 46 / 30 - G / 40;
  const Iq = 15 * log10(1 + 10 ** Y + 10 ** Z);
  const Is = Iolr + Ist + Iq;
  // §7.4 delay impairment factor.
  const TERV = p.TELR - 40 * log10((1 + p.T / 10) / (1 + p.T / 150)) + 6 * Math.exp(-0.3 * p.T ** 2);
  const Re = 80 + 2.5 * ((p.STMR < 9 ? TERV + Ist / 2 : TERV) - 14);
  const Roe = -1.5 * (No - p.RLR);
  let Idte = ((Roe - Re) / 2 + Math.sqrt((Roe - Re) ** 2 / 4 + 100) - 1) * (1 - Math.exp(-p.T));
  if (p.STMR > 20) Idte = Math.sqrt(Idte ** 2 + Ist ** 2);
  const Rle = 10.5 * (p.WEPL + 7) * (p.Tr + 1) ** -0.25;
  const Idle = (Ro - Rle) / 2 + Math.sqrt((Ro - Rle) ** 2 / 4 + 169);
  const Idd = absoluteDelayImpairment(p.Ta, p.mT, p.sT);
  const Id = Idte + Idle + Idd;
  // §7.5 equipment impairment with packet loss.
  const IeEff = effectiveEquipmentImpairment(p.Ie, p.Bpl, p.Ppl, p.BurstR);
  const R = Ro - Is - Id - IeEff + p.A;
  return { R, mos: mosFromR(R), Ro, Is, Id, Idte, Idle, Idd, IeEff };
}
