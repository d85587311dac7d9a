/**
 * Where to move the map's viewport so a selection stays in view beside the side panel (which
 * overlays the canvas's right side). Pure: boxes in flow coordinates, sizes in screen pixels.
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export interface SelectionViewInput {
  /** The selected node (or both ends of the selected edge): must be in view. */
  selection: Box[];
  /** Its direct callees, then callers, in that order of priority. */
  callees: Box[];
  callers: Box[];
  viewport: Viewport;
  canvas: { width: number; height: number };
  /** Screen width the panel covers on the canvas's right. */
  panelWidth: number;
  minZoom: number;
  /** Zoom below which node names are unreadable: the view does not zoom out past it for neighbours. */
  readableZoom: number;
  margin?: number;
}

function union(boxes: Box[]): Box {
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.width));
  const y1 = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Whether every box lies inside the visible area (left of the panel, inside the margins). */
function allVisible(boxes: Box[], v: Viewport, area: Box): boolean {
  return boxes.every((b) => {
    const x = b.x * v.zoom + v.x;
    const y = b.y * v.zoom + v.y;
    return (
      x >= area.x &&
      y >= area.y &&
      x + b.width * v.zoom <= area.x + area.width &&
      y + b.height * v.zoom <= area.y + area.height
    );
  });
}

/** The viewport that centres `target` in `area`, at `zoom`. */
function centreOn(target: Box, area: Box, zoom: number): Viewport {
  return {
    x: area.x + area.width / 2 - (target.x + target.width / 2) * zoom,
    y: area.y + area.height / 2 - (target.y + target.height / 2) * zoom,
    zoom,
  };
}

/**
 * null when the selection and its neighbours are already in view beside the panel (the user's
 * view is kept). Otherwise a viewport that shows the selection with its callees and callers at
 * the current zoom, zooming out only as far as needed and never past `readableZoom` for
 * neighbours; when they do not all fit, callers are dropped first, then callees, and the
 * selection alone is centred at the current zoom (or the zoom that fits it).
 */
export function planSelectionView(input: SelectionViewInput): Viewport | null {
  const { selection, callees, callers, viewport, canvas, panelWidth, minZoom, readableZoom } = input;
  if (selection.length === 0) return null;
  const margin = input.margin ?? 24;
  const area: Box = {
    x: margin,
    y: margin,
    width: Math.max(1, canvas.width - panelWidth - 2 * margin),
    height: Math.max(1, canvas.height - 2 * margin),
  };
  const everything = [...selection, ...callees, ...callers];
  if (allVisible(everything, viewport, area)) return null;

  const fitZoom = (b: Box) => Math.min(area.width / Math.max(1, b.width), area.height / Math.max(1, b.height));
  const floor = Math.max(minZoom, Math.min(readableZoom, viewport.zoom));
  for (const set of [everything, [...selection, ...callees]]) {
    const box = union(set);
    const zoom = Math.min(viewport.zoom, fitZoom(box));
    if (zoom >= floor) return centreOn(box, area, zoom);
  }
  const box = union(selection);
  return centreOn(box, area, Math.max(minZoom, Math.min(viewport.zoom, fitZoom(box))));
}
