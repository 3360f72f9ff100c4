import {
  quintileBreakpoints,
  quintileScore,
  rfmBreakpoints,
  rfmSegment,
  scoreRfm,
  scoreRfmPopulation,
  segmentContains,
  SEGMENTS,
  type RfmScore,
  type RfmSegment,
} from '../../src/intelligence/rfm';

const scores: RfmScore[] = [1, 2, 3, 4, 5];

describe('RFM segments', () => {
  it('assign every (R, F) pair to exactly one segment', () => {
    for (const r of scores) {
      for (const f of scores) {
        const owners = Object.values(SEGMENTS).filter((s) => segmentContains(s, r, f));
        expect(owners.map((s) => `R${r}F${f}:${s.segment}`)).toHaveLength(1);
      }
    }
  });

  it('follow the catalogue rules', () => {
    const cases: [RfmScore, RfmScore, RfmSegment][] = [
      [5, 5, 'CHAMPIONS'],
      [5, 4, 'CHAMPIONS'],
      [4, 5, 'LOYAL'],
      [3, 4, 'LOYAL'],
      [5, 2, 'POTENTIAL_LOYALIST'],
      [4, 3, 'POTENTIAL_LOYALIST'],
      [5, 1, 'NEW'],
      [4, 1, 'PROMISING'],
      [3, 3, 'NEEDS_ATTENTION'],
      [3, 1, 'ABOUT_TO_SLEEP'],
      [3, 2, 'ABOUT_TO_SLEEP'],
      [2, 3, 'AT_RISK'],
      [1, 4, 'AT_RISK'],
      [1, 5, 'CANT_LOSE'],
      [2, 5, 'CANT_LOSE'],
      [1, 1, 'LOST'],
      [1, 2, 'HIBERNATING'],
      [2, 1, 'HIBERNATING'],
      [2, 2, 'HIBERNATING'],
    ];
    for (const [r, f, segment] of cases) expect(`R${r}F${f} ${rfmSegment(r, f)}`).toBe(`R${r}F${f} ${segment}`);
  });

  it('each come with a description and a strategy, and all but PROSPECT own at least one cell', () => {
    for (const [key, info] of Object.entries(SEGMENTS)) {
      expect(info.segment).toBe(key);
      expect(info.description.length).toBeGreaterThan(10);
      expect(info.strategy.length).toBeGreaterThan(10);
      expect(info.cells.length > 0).toBe(key !== 'PROSPECT');
    }
  });
});

describe('RFM quintiles', () => {
  it('split ten distinct values into five equal quintiles', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const cuts = quintileBreakpoints(values);
    expect(cuts.map((c) => Number(c.toFixed(10)))).toEqual([2.8, 4.6, 6.4, 8.2]);
    expect(values.map((v) => quintileScore(v, cuts))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('give tied values the same score, a value on a cut point falling in the lower bin', () => {
    // Six one-time buyers: the cut points are [1, 1, 1.4, 2.2].
    const frequency = [1, 1, 1, 1, 1, 1, 2, 2, 3, 5];
    const cuts = quintileBreakpoints(frequency);
    expect(cuts[0]).toBe(1);
    expect(cuts[1]).toBe(1);
    expect(cuts[2]).toBeCloseTo(1.4, 12);
    expect(cuts[3]).toBeCloseTo(2.2, 12);
    expect(frequency.map((v) => quintileScore(v, cuts))).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
    expect(quintileScore(2.2, cuts)).toBe(4);
  });

  it('score recency in reverse: the most recent buyers get 5', () => {
    const population = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((d) => ({ recencyDays: d * 10, frequency: 1, monetary: 10 }));
    const { results } = scoreRfmPopulation(population);
    expect(results.map((r) => r.r)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
  });

  it('score one customer against stored breakpoints exactly as the population scoring does', () => {
    const population = Array.from({ length: 37 }, (_, i) => ({
      recencyDays: (i * 37) % 101,
      frequency: 1 + ((i * 7) % 5),
      monetary: (i * 53) % 97,
    }));
    const { breakpoints, results } = scoreRfmPopulation(population);
    const stored = JSON.parse(JSON.stringify(breakpoints));
    population.forEach((c, i) => expect(scoreRfm(c, stored)).toEqual(results[i]));
  });

  it('leave prospects out of the breakpoints and call them PROSPECT', () => {
    const buyers = [1, 2, 3, 4, 5].map((f) => ({ recencyDays: 10 * f, frequency: f, monetary: 5 * f }));
    const withProspects = [...buyers, { recencyDays: 0, frequency: 0, monetary: 0 }];
    expect(rfmBreakpoints(withProspects)).toEqual(rfmBreakpoints(buyers));
    expect(rfmBreakpoints(withProspects).population).toBe(5);
    const bp = rfmBreakpoints(buyers);
    expect(scoreRfm({ recencyDays: 0, frequency: 0, monetary: 0 }, bp)).toEqual({ r: null, f: null, m: null, segment: 'PROSPECT' });
    expect(scoreRfm(null, bp).segment).toBe('PROSPECT');
    expect(() => rfmBreakpoints([{ recencyDays: 0, frequency: 0, monetary: 0 }])).toThrow(RangeError);
  });
});
