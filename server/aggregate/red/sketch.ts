import "server-only";
/** The latency sketch codec is the store's (server/store/sketch.ts); the stage names it from here. */
export {
  SKETCH_RELATIVE_ACCURACY,
  createSketch,
  addToSketch,
  mergeSketches,
  quantile,
  encodeSketch,
  decodeSketch,
  mergeEncodedInto,
  mergeEncodedSketches,
  type Sketch,
} from "../../store";
