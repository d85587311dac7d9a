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
  addEncodedSketches,
  type Sketch,
} from "../../store";
