import { digamma, expit, hyp2f1, lgamma, logAddExp, logHyp2f1, logSumExp } from '../../src/intelligence/special-functions';

describe('lgamma', () => {
  it('matches known values of ln Γ to 1e-13', () => {
    expect(lgamma(1)).toBeCloseTo(0, 13);
    expect(lgamma(2)).toBeCloseTo(0, 13);
    expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(lgamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(lgamma(0.1)).toBeCloseTo(2.252712651734206, 13);
    expect(lgamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 13);
  });

  it('stays accurate for large arguments, relative to Stirling', () => {
    expect(Math.abs(lgamma(100) / 359.1342053695754 - 1)).toBeLessThan(1e-14);
    expect(Math.abs(lgamma(1e6) / 12815504.569147612 - 1)).toBeLessThan(1e-14);
  });

  it('is infinite at the poles', () => {
    expect(lgamma(0)).toBe(Infinity);
    expect(lgamma(-3)).toBe(Infinity);
  });
});

describe('digamma', () => {
  it('matches known values of ψ to 1e-14', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 14);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 14);
    expect(digamma(10)).toBeCloseTo(2.251752589066721, 14);
    // ψ(−1/2) = 2 − γ − 2 ln 2, through the reflection formula.
    expect(digamma(-0.5)).toBeCloseTo(0.03648997397857652, 14);
  });

  it('keeps the recurrence ψ(x+1) = ψ(x) + 1/x and follows ln x − 1/(2x) − 1/(12x²) for large x', () => {
    for (const x of [1e-3, 0.24, 3.7, 9.5, 10, 42]) expect(digamma(x + 1) - digamma(x) - 1 / x).toBeCloseTo(0, 12);
    expect(Math.abs(digamma(1e6) / (Math.log(1e6) - 0.5e-6 - 1 / 12e12) - 1)).toBeLessThan(1e-15);
  });

  it('is the derivative of lgamma (central differences)', () => {
    for (const x of [0.05, 0.7930, 2.4259, 15.44, 250]) {
      const h = 1e-5 * x;
      expect((lgamma(x + h) - lgamma(x - h)) / (2 * h) / digamma(x) - 1).toBeCloseTo(0, 6);
    }
  });

  it('is NaN at the poles', () => {
    expect(digamma(0)).toBeNaN();
    expect(digamma(-2)).toBeNaN();
  });
});

describe('log-sum-exp', () => {
  it('adds huge and tiny exponentials without overflow', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logSumExp([1000, 1000, 1000])).toBeCloseTo(1000 + Math.log(3), 12);
    expect(logSumExp([])).toBe(-Infinity);
  });

  it('computes the logistic function without overflow', () => {
    expect(expit(0)).toBe(0.5);
    expect(expit(-1000)).toBe(0);
    expect(expit(1000)).toBe(1);
  });
});

describe('hyp2f1', () => {
  it('matches closed forms: ₂F₁(1,1;2;z) = −ln(1−z)/z and ₂F₁(a,b;b;z) = (1−z)^−a', () => {
    for (const z of [0.1, 0.5, 0.9, 0.99]) {
      expect(hyp2f1(1, 1, 2, z) / (-Math.log1p(-z) / z) - 1).toBeCloseTo(0, 12);
      expect(hyp2f1(2.5, 3.7, 3.7, z) / (1 - z) ** -2.5 - 1).toBeCloseTo(0, 12);
    }
  });

  it('keeps ₂F₁(1,1;2;z) = −ln(1−z)/z for negative z, through Pfaff’s transformation', () => {
    for (const z of [-0.5, -3, -50]) expect(hyp2f1(1, 1, 2, z) / (Math.log1p(-z) / -z) - 1).toBeCloseTo(0, 12);
  });

  it('gives the same value directly and through Euler’s transformation', () => {
    // Parameters as in BG/NBD eq. 10 for x = 2 at the CDNOW estimates; the direct series is safe at z = 0.3.
    const [a, b, c] = [0.243 + 2, 2.426 + 2, 0.793 + 2.426 + 2 - 1];
    const z = 0.3;
    let direct = 0;
    let term = 1;
    for (let n = 0; n < 200; n++) {
      direct += term;
      term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    }
    const euler = (1 - z) ** (c - a - b) * hyp2f1(c - a, c - b, c, z);
    expect(hyp2f1(a, b, c, z) / direct - 1).toBeCloseTo(0, 13);
    expect(euler / direct - 1).toBeCloseTo(0, 13);
  });

  it('handles large parameters close to z = 1 in log space without overflow', () => {
    // r + x, b + x, a + b + x − 1 for x = 1000, the case lifetimes needs the Euler transform for.
    const s = logHyp2f1(1000.25, 1002.5, 1002.3, 0.9);
    expect(Number.isFinite(s.log)).toBe(true);
    expect(s.sign).toBe(1);
    // Euler: (1−z)^{c−a−b} ₂F₁(c−a, c−b; c; z), with c−a−b = −1000.45 dominating.
    expect(s.log).toBeCloseTo(-1000.45 * Math.log(0.1) + logHyp2f1(2.05, -0.2, 1002.3, 0.9).log, 8);
  });

  it('uses Gauss’s theorem at z = 1', () => {
    // ₂F₁(1,1;3;1) = Γ(3)Γ(1)/(Γ(2)Γ(2)) = 2.
    expect(hyp2f1(1, 1, 3, 1)).toBeCloseTo(2, 12);
  });

  it('refuses arguments outside its domain', () => {
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, 2, 1.5)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, 1.5, 1)).toThrow(RangeError);
  });
});
