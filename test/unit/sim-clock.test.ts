import assert from 'node:assert/strict';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { SimClock } from '../../src/sim/clock';

const scenario = () => parseScenario('name: c\nclusters:\n  - name: a\n    nodes: 10\n', 'c.yaml');

describe('simulation clock', () => {
  it('advances simulated time with real time × speed, in whole steps', () => {
    let now = 0;
    const sim = new Simulation(scenario());
    const clock = new SimClock(sim, 60, 100, () => now);
    clock.start();
    clock.stop(); // drive ticks by hand
    now += 1000;
    clock.tick();
    assert.equal(sim.now(), 60);
    now += 25; // 1.5 simulated seconds
    clock.tick();
    assert.equal(sim.now(), 61);
    now += 25;
    clock.tick();
    assert.equal(sim.now(), 63);
    assert.equal(clock.realMs(60), 1000);
  });
  it('holds at a simulated time: stops there exactly however far a tick would go, tells its listeners, and plays on when resumed', () => {
    let now = 0;
    const sim = new Simulation(scenario());
    const clock = new SimClock(sim, 60, 100, () => now);
    const seen: Array<{ t: number; paused: boolean }> = [];
    clock.onTick((st) => seen.push({ t: st.t, paused: st.paused }));
    clock.holdAt(300);
    clock.start();
    clock.stop();
    now += 4000; // 240 s
    clock.tick();
    assert.equal(sim.now(), 240);
    assert.equal(clock.state.paused, false);
    now += 3000; // 180 s more would pass 300
    clock.tick();
    assert.equal(sim.now(), 300);
    assert.equal(clock.state.paused, true);
    assert.deepEqual(seen.at(-1), { t: 300, paused: true });
    now += 60_000;
    clock.tick();
    assert.equal(sim.now(), 300, 'held');
    clock.resume();
    now += 1000;
    clock.tick();
    assert.equal(sim.now(), 360, 'a hold is passed once');
    clock.holdAt(360);
    assert.equal(clock.state.paused, true, 'a hold at the present pauses at once');
    assert.throws(() => clock.holdAt(-1));
  });
  it('pauses, resumes and changes speed', () => {
    let now = 0;
    const sim = new Simulation(scenario());
    const clock = new SimClock(sim, 1, 100, () => now);
    clock.start();
    clock.stop();
    clock.pause();
    now += 5000;
    clock.tick();
    assert.equal(sim.now(), 0);
    assert.equal(clock.state.paused, true);
    clock.resume();
    now += 2000;
    clock.tick();
    assert.equal(sim.now(), 2);
    clock.setSpeed(10);
    now += 1000;
    clock.tick();
    assert.equal(sim.now(), 12);
    assert.throws(() => clock.setSpeed(0));
    assert.throws(() => new SimClock(sim, -1));
  });
  it('a clock paused before it starts stays at T+0, however long the process has run (a tabletop started paused)', () => {
    let now = 70_000; // the process's uptime (performance.now()) when the tabletop starts
    const sim = new Simulation(scenario());
    const clock = new SimClock(sim, 1, 100, () => now);
    clock.pause();
    clock.start();
    clock.stop();
    assert.equal(sim.now(), 0);
    now += 3000;
    clock.tick();
    assert.equal(sim.now(), 0, 'paused');
    clock.resume();
    now += 2000;
    clock.tick();
    assert.equal(sim.now(), 2);
  });
});
