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
