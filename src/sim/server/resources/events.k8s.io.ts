// Events in events.k8s.io/v1: the same Events as core v1 `events` (kube-apiserver keeps both under
// /registry/events), in the newer shape: involvedObject is `regarding`, message is `note`, the
// core fields kept for compatibility become deprecatedSource, deprecatedFirstTimestamp,
// deprecatedLastTimestamp and deprecatedCount (k8s.io/kubernetes pkg/apis/events/v1 conversion).
// `kubectl get events` prints them with the core Event printer, so the columns are the same.
import type { Json } from '../simObject';
import { events } from './events';
import type { Any, SimResource } from './resource';
import { int, obj, objectReference, str, time, type KindSchema } from '../schema';

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

// https://kubernetes.io/docs/reference/kubernetes-api/ (events.k8s.io).
const schema: KindSchema = {
  description: 'Event is a report of an event somewhere in the cluster.',
  properties: {
    eventTime: time('eventTime is the time when this Event was first observed.'),
    reportingController: str('reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
    reportingInstance: str('reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`.'),
    action: str('action is what action was taken/failed regarding to the regarding object.'),
    reason: str('reason is why the action was taken. It is human-readable.'),
    regarding: objectReference('regarding contains the object this Event is about.'),
    note: str('note is a human-readable description of the status of this operation.'),
    type: str('type is the type of this event (Normal, Warning), new types could be added in the future.'),
    deprecatedSource: obj('deprecatedSource is the deprecated field assuring backward compatibility with core.v1 Event type.', { component: str('Component from which the event is generated.'), host: str('Node name on which the event is generated.') }),
    deprecatedFirstTimestamp: time('deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedLastTimestamp: time('deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedCount: int('deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type.'),
  },
};

export const eventsV1: SimResource = {
  ...events,
  group: 'events.k8s.io',
  version: 'v1',
  shortNames: ['ev'],
  storedAs: events.name,
  convert: toEventsV1,
  schema,
  cells: (o, age, since) => events.cells(toCore(o), age, since),
};
