// Events in events.k8s.io/v1: the same Events as core v1 `events` (kube-apiserver keeps both under
// /registry/events), in the newer shape: involvedObject is `regarding`, message is `note`, the
// core fields kept for compatibility become deprecatedSource, deprecatedFirstTimestamp,
// deprecatedLastTimestamp and deprecatedCount (k8s.io/kubernetes pkg/apis/events/v1 conversion).
// `kubectl get events` prints them with the core Event printer, so the columns are the same.
import type { Json } from '../simObject';
import { events } from './events';
import type { Any, SimResource } from './resource';

function toEventsV1(core: Json): Json {
  const { involvedObject, message, source, firstTimestamp, lastTimestamp, count, reportingComponent, reportingInstance, eventTime, ...rest } = core;
  return {
    ...rest,
    apiVersion: 'events.k8s.io/v1',
    eventTime: eventTime ?? null,
    reportingController: reportingComponent,
    reportingInstance,
    regarding: involvedObject,
    note: message,
    deprecatedSource: source,
    deprecatedFirstTimestamp: firstTimestamp,
    deprecatedLastTimestamp: lastTimestamp,
    deprecatedCount: count,
  };
}

/** The core form again, for the core Event printer. */
function toCore(o: Any): Any {
  return { ...o, involvedObject: o.regarding, message: o.note, source: o.deprecatedSource, firstTimestamp: o.deprecatedFirstTimestamp, lastTimestamp: o.deprecatedLastTimestamp, count: o.deprecatedCount, reportingComponent: o.reportingController };
}

export const eventsV1: SimResource = {
  ...events,
  group: 'events.k8s.io',
  version: 'v1',
  shortNames: ['ev'],
  storedAs: events.name,
  convert: toEventsV1,
  cells: (o, age, since) => events.cells(toCore(o), age, since),
};
