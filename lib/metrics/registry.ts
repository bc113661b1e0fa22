/**
 * A small metrics registry that writes the Prometheus text exposition
 * format (version 0.0.4): counters, gauges and histograms with labels, and
 * gauges read from a callback when scraped.
 *
 * @module
 */

/** Label names to values. */
export type Labels = Readonly<Record<string, string>>;

/** The `Content-Type` of {@link Registry.render}'s output. */
export const PROMETHEUS_CONTENT_TYPE =
  "text/plain; version=0.0.4; charset=utf-8";

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  lines(): string[];
}

/** One series of a {@link Counter}, for hot paths (no key building). */
export interface CounterSeries {
  /** Adds `by` (default 1). */
  inc(by?: number): void;
}

/** A counter: only goes up. */
export class Counter {
  readonly #values = new Map<string, { value: number }>();

  /**
   * Adds `by` (default 1) to the series with `labels`.
   *
   * @param labels The series' labels.
   * @param by A non-negative amount.
   */
  inc(labels: Labels = {}, by = 1): void {
    this.series(labels).inc(by);
  }

  /**
   * The series with `labels`, created at 0 if new.
   *
   * @param labels The series' labels.
   * @returns A handle that increments it.
   */
  series(labels: Labels = {}): CounterSeries {
    const key = labelText(labels);
    let cell = this.#values.get(key);
    if (cell === undefined) {
      cell = { value: 0 };
      this.#values.set(key, cell);
    }
    const target = cell;
    return {
      inc: (by = 1) => {
        target.value += by;
      },
    };
  }

  /** @returns The series' value (0 when never incremented). */
  get(labels: Labels = {}): number {
    return this.#values.get(labelText(labels))?.value ?? 0;
  }

  /** @internal The samples, as exposition lines. */
  lines(name: string): string[] {
    return [...this.#values].map(([key, cell]) =>
      `${name}${key} ${number(cell.value)}`
    );
  }
}

/** One series of a {@link Gauge}, for hot paths (no key building). */
export interface GaugeSeries {
  /** Adds `by` (may be negative). */
  add(by: number): void;
}

/** A gauge: a value that goes up and down. */
export class Gauge {
  readonly #values = new Map<string, { value: number }>();

  /** Sets the series with `labels` to `value`. */
  set(labels: Labels, value: number): void {
    this.#cell(labels).value = value;
  }

  /** Adds `by` (may be negative) to the series with `labels`. */
  add(labels: Labels, by: number): void {
    this.#cell(labels).value += by;
  }

  /**
   * The series with `labels`, created at 0 if new.
   *
   * @param labels The series' labels.
   * @returns A handle that changes it.
   */
  series(labels: Labels): GaugeSeries {
    const cell = this.#cell(labels);
    return {
      add: (by) => {
        cell.value += by;
      },
    };
  }

  /** @internal The samples, as exposition lines. */
  lines(name: string): string[] {
    return [...this.#values].map(([key, cell]) =>
      `${name}${key} ${number(cell.value)}`
    );
  }

  #cell(labels: Labels): { value: number } {
    const key = labelText(labels);
    let cell = this.#values.get(key);
    if (cell === undefined) {
      cell = { value: 0 };
      this.#values.set(key, cell);
    }
    return cell;
  }
}

/** A histogram of observed values with fixed upper bounds. */
export class Histogram {
  readonly #bounds: readonly number[];
  readonly #series = new Map<
    string,
    { labels: Labels; buckets: number[]; sum: number; count: number }
  >();

  /** @param bounds Bucket upper bounds, ascending (`+Inf` is added). */
  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
  }

  /** Records one value in the series with `labels`. */
  observe(labels: Labels, value: number): void {
    this.series(labels).observe(value);
  }

  /**
   * The series with `labels`, created empty if new.
   *
   * @param labels The series' labels.
   * @returns A handle that records values in it.
   */
  series(labels: Labels): { observe(value: number): void } {
    const key = labelText(labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = {
        labels,
        buckets: this.#bounds.map(() => 0),
        sum: 0,
        count: 0,
      };
      this.#series.set(key, series);
    }
    const target = series;
    const bounds = this.#bounds;
    return {
      observe: (value) => {
        for (let i = bounds.length - 1; i >= 0 && value <= bounds[i]!; i--) {
          target.buckets[i]!++;
        }
        target.sum += value;
        target.count++;
      },
    };
  }

  /** @internal The samples, as exposition lines. */
  lines(name: string): string[] {
    const out: string[] = [];
    for (const [key, s] of this.#series) {
      this.#bounds.forEach((bound, i) => {
        out.push(
          `${name}_bucket${labelText({ ...s.labels, le: number(bound) })} ${
            s.buckets[i]
          }`,
        );
      });
      out.push(
        `${name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`,
      );
      out.push(`${name}_sum${key} ${number(s.sum)}`);
      out.push(`${name}_count${key} ${s.count}`);
    }
    return out;
  }
}

/** Metric families, rendered in registration order. */
export class Registry {
  readonly #families: Family[] = [];

  /** Registers and returns a counter (`name` should end in `_total`). */
  counter(name: string, help: string): Counter {
    const counter = new Counter();
    this.#add(name, help, "counter", () => counter.lines(name));
    return counter;
  }

  /** Registers and returns a gauge. */
  gauge(name: string, help: string): Gauge {
    const gauge = new Gauge();
    this.#add(name, help, "gauge", () => gauge.lines(name));
    return gauge;
  }

  /** Registers a gauge whose series are read from `collect` at each scrape. */
  gaugeFrom(
    name: string,
    help: string,
    collect: () => Iterable<readonly [Labels, number]>,
  ): void {
    this.#add(name, help, "gauge", () => {
      const out: string[] = [];
      for (const [labels, value] of collect()) {
        out.push(`${name}${labelText(labels)} ${number(value)}`);
      }
      return out;
    });
  }

  /** Registers a counter whose series are read from `collect` at each scrape. */
  counterFrom(
    name: string,
    help: string,
    collect: () => Iterable<readonly [Labels, number]>,
  ): void {
    this.#add(name, help, "counter", () => {
      const out: string[] = [];
      for (const [labels, value] of collect()) {
        out.push(`${name}${labelText(labels)} ${number(value)}`);
      }
      return out;
    });
  }

  /** Registers and returns a histogram with bucket upper `bounds`. */
  histogram(name: string, help: string, bounds: readonly number[]): Histogram {
    const histogram = new Histogram(bounds);
    this.#add(name, help, "histogram", () => histogram.lines(name));
    return histogram;
  }

  /** @returns Every family in the text exposition format. */
  render(): string {
    let text = "";
    for (const family of this.#families) {
      text += `# HELP ${family.name} ${escapeHelp(family.help)}\n`;
      text += `# TYPE ${family.name} ${family.type}\n`;
      for (const line of family.lines()) text += line + "\n";
    }
    return text;
  }

  #add(
    name: string,
    help: string,
    type: Family["type"],
    lines: () => string[],
  ): void {
    this.#families.push({ name, help, type, lines });
  }
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll(
    '"',
    '\\"',
  );
}

function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
