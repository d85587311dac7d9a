import "server-only";
import {
  AttributeDepthError,
  flattenInto,
  truncate,
  truncateKey,
  type AttributeLimits,
  type AttributeStats,
} from "./attributes";
import type { Attributes, AttrValue } from "./types";
import type { ProtobufReader } from "./protobuf-reader";

/** Flat [start, end, start, end, ...] byte ranges of repeated message fields. */
export type Ranges = number[];

/**
 * KeyValue messages (given as byte ranges) → flat attributes, exactly as convertAttributes
 * reads the decoded objects: empty keys skipped, at most `maxAttributes` (the rest counted
 * as dropped), kvlist values flattened into dotted keys, over-long keys and values truncated.
 */
export function readKeyValues(
  r: ProtobufReader,
  ranges: Ranges,
  limits: AttributeLimits,
  stats: AttributeStats,
): Attributes {
  const out: Attributes = {};
  const count = ranges.length >> 1;
  let n = 0;
  for (let i = 0; i < count; i++) {
    const key = readKeyValue(r, ranges[2 * i]!, ranges[2 * i + 1]!);
    if (!key) continue;
    if (n >= limits.maxAttributes) {
      stats.droppedAttributes += count - i;
      break;
    }
    const value = valueStart < 0 ? null : readAnyValue(r, valueStart, valueEnd, 1, limits, stats);
    if (value !== null && typeof value === "object" && !Array.isArray(value))
      flattenInto(out, key, value, limits, stats);
    else out[truncateKey(key, limits, stats)] = value;
    n++;
  }
  return out;
}

// The value range of the KeyValue last read (module scratch: no tuple per attribute).
let valueStart = -1;
let valueEnd = -1;

/** Reads KeyValue { key = 1, value = 2 }: returns the key and leaves the value's range in scratch. */
function readKeyValue(r: ProtobufReader, start: number, end: number): string {
  let key = "";
  valueStart = -1;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) key = r.string();
    else if (tag === ((2 << 3) | 2)) {
      valueEnd = r.bytesEnd();
      valueStart = r.pos;
      r.pos = valueEnd;
    } else r.skip(tag & 7);
  }
  return key;
}

/**
 * AnyValue (a oneof: the member read last wins, as protobuf decoders keep it) → plain value,
 * as convertAnyValue converts the decoded object; nesting past `maxDepth` throws.
 */
export function readAnyValue(
  r: ProtobufReader,
  start: number,
  end: number,
  depth: number,
  limits: AttributeLimits,
  stats: AttributeStats,
): AttrValue {
  if (depth > limits.maxDepth) throw new AttributeDepthError(`attribute nesting deeper than ${limits.maxDepth}`);
  let value: AttrValue = null;
  let which = 0;
  let subStart = 0;
  let subEnd = 0;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 2:
        value = r.string();
        which = 1;
        break;
      case (2 << 3) | 0:
        value = r.bool();
        which = 2;
        break;
      case (3 << 3) | 0:
        value = r.int64();
        which = 3;
        break;
      case (4 << 3) | 1:
        value = r.double();
        which = 4;
        break;
      case (5 << 3) | 2:
      case (6 << 3) | 2:
      case (7 << 3) | 2:
        subEnd = r.bytesEnd();
        subStart = r.pos;
        r.pos = subEnd;
        which = tag >>> 3;
        break;
      default:
        r.skip(tag & 7);
    }
  }
  switch (which) {
    case 1:
      return truncate(value as string, limits, stats);
    case 5:
      return readArray(r, subStart, subEnd, depth, limits, stats);
    case 6:
      return readKvList(r, subStart, subEnd, depth, limits, stats);
    case 7:
      return r.buf.toString("base64", subStart, subEnd);
    default:
      return value;
  }
}

function readArray(
  r: ProtobufReader,
  start: number,
  end: number,
  depth: number,
  limits: AttributeLimits,
  stats: AttributeStats,
): AttrValue[] {
  const ranges = listValues(r, start, end);
  const out: AttrValue[] = new Array(ranges.length >> 1);
  for (let i = 0; i < ranges.length; i += 2)
    out[i >> 1] = readAnyValue(r, ranges[i]!, ranges[i + 1]!, depth + 1, limits, stats);
  return out;
}

function readKvList(
  r: ProtobufReader,
  start: number,
  end: number,
  depth: number,
  limits: AttributeLimits,
  stats: AttributeStats,
): Record<string, AttrValue> {
  const ranges = listValues(r, start, end);
  const out: Record<string, AttrValue> = {};
  for (let i = 0; i < ranges.length; i += 2) {
    const key = readKeyValue(r, ranges[i]!, ranges[i + 1]!);
    if (!key) continue;
    const vs = valueStart;
    out[key] = vs < 0 ? null : readAnyValue(r, vs, valueEnd, depth + 1, limits, stats);
  }
  return out;
}

/** The `values = 1` ranges of an ArrayValue or KeyValueList. */
function listValues(r: ProtobufReader, start: number, end: number): Ranges {
  const ranges: Ranges = [];
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) {
      const vEnd = r.bytesEnd();
      ranges.push(r.pos, vEnd);
      r.pos = vEnd;
    } else r.skip(tag & 7);
  }
  return ranges;
}
