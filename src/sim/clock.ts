// The one clock of a served simulation: simulated time advances with real time × speed, can be
// paused, and steps the model in whole simulated seconds.
import type { Simulation } from './simulation';

export interface ClockState {
  /** Simulated seconds since T+0. */
  t: number;
  speed: number;
  paused: boolean;
}

export class SimClock {
  private timer?: NodeJS.Timeout;
  /** Real time of the last tick; undefined until the clock starts (time before that never counts). */
  private last: number | undefined;
  private carry = 0;
  private _speed: number;
  private _paused = false;
  /** Simulated time at which the clock pauses itself (`sim serve --hold-at`). */
  private _holdAt: number | undefined;
  private readonly listeners = new Set<(s: ClockState) => void>();

  constructor(
    private readonly sim: Simulation,
    speed = 1,
    /** Real milliseconds between ticks. */
    private readonly tickMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(speed > 0)) throw new Error('speed must be a positive number');
    this._speed = speed;
  }

  get state(): ClockState {
    return { t: this.sim.now(), speed: this._speed, paused: this._paused };
  }

  onTick(l: (s: ClockState) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  start(): void {
    if (this.timer) return;
    this.last = this.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  pause(): void {
    this.tick();
    this._paused = true;
  }

  resume(): void {
    this.last = this.now();
    this._paused = false;
  }

  /**
   * Pauses the clock once simulated time reaches `t` (seconds): the model stands still there and
   * its server keeps answering, so one moment of the outage can be looked at for as long as needed.
   * `resume()` plays on past it.
   */
  holdAt(t: number | undefined): void {
    if (t !== undefined && !(t >= 0)) throw new Error('the hold time must be a non-negative number of seconds');
    this._holdAt = t;
    this.held();
  }

  setSpeed(speed: number): void {
    if (!(speed > 0) || speed > 10_000) throw new Error('speed must be a number from 0 (exclusive) to 10000');
    this.tick();
    this._speed = speed;
  }

  /** Advances simulated time by what elapsed in real time; steps the model per whole second. */
  tick(): void {
    const nowMs = this.now();
    const elapsed = this.last === undefined ? 0 : nowMs - this.last;
    this.last = nowMs;
    if (this._paused) return;
    this.carry += (elapsed / 1000) * this._speed;
    // Bound the catch-up after a stall (e.g. a debugger): at most 10 simulated minutes per tick.
    this.carry = Math.min(this.carry, 600);
    let stepped = false;
    while (this.carry >= 1 && !this.held()) {
      this.sim.step(1);
      this.carry -= 1;
      stepped = true;
    }
    this.held();
    if (stepped) for (const l of this.listeners) l(this.state);
  }

  /** Pauses (once) when the hold time is reached; true if it was. */
  private held(): boolean {
    if (this._holdAt === undefined || this.sim.now() < this._holdAt) return false;
    this._paused = true;
    this._holdAt = undefined;
    this.carry = 0;
    return true;
  }

  /** Real milliseconds for a simulated duration at the current speed. */
  realMs(simSeconds: number): number {
    return (simSeconds * 1000) / this._speed;
  }
}
