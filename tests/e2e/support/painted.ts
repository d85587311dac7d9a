import type { Locator, Page } from "@playwright/test";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Share of a screen region's pixels that differ clearly from its most common colour: what the
 * user sees painted there (node border, icon, labels), not what the DOM claims. A region showing
 * only background scores near 0. The screenshot is decoded by Chromium itself.
 */
export async function paintedShare(page: Page, region: Locator | Box): Promise<number> {
  const clip = "boundingBox" in region ? await region.boundingBox() : region;
  if (!clip || clip.width < 4 || clip.height < 4) return 0;
  const report = await paintReport(page, clip, [clip]);
  return report.boxes[0]!;
}

export interface PaintReport {
  /** Painted share inside each box. */
  boxes: number[];
  /** Painted pixels of the region outside every box (edges, their labels). */
  outside: number;
}

/**
 * One screenshot of `region` (page coordinates, CSS pixels, as are the boxes), then: for each box, the share of its pixels that differ from the
 * box's own most common colour (a node drawn there has a fill, a coloured border and text; a
 * node that is in the DOM but not painted leaves the canvas background, near 0); and the number
 * of pixels outside all boxes that differ from the region's most common colour (the edges).
 * `ignoreCssColor` names a CSS variable (e.g. `--grid`, the map's background dots) whose colour,
 * and the anti-aliased blend of it with the background, does not count outside the boxes.
 */
export async function paintReport(
  page: Page,
  region: Box,
  boxes: Box[],
  opts: { ignoreCssColor?: string } = {},
): Promise<PaintReport> {
  const clip = { x: Math.max(0, region.x), y: Math.max(0, region.y), width: region.width, height: region.height };
  const png = await page.screenshot({ clip });
  return page.evaluate(
    async ({ b64, boxes, dx, dy, clipWidth, ignoreVar }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement("canvas");
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      // The screenshot may be scaled (device pixel ratio): box coordinates are CSS pixels.
      const sx = c.width / clipWidth;
      const rect = (b: { x: number; y: number; width: number; height: number }) => ({
        x0: Math.max(0, Math.floor((b.x - dx) * sx)),
        y0: Math.max(0, Math.floor((b.y - dy) * sx)),
        x1: Math.min(c.width, Math.ceil((b.x - dx + b.width) * sx)),
        y1: Math.min(c.height, Math.ceil((b.y - dy + b.height) * sx)),
      });
      const dominant = (r: ReturnType<typeof rect>) => {
        const counts = new Map<number, number>();
        for (let y = r.y0; y < r.y1; y++) {
          for (let x = r.x0; x < r.x1; x++) {
            const i = (y * c.width + x) * 4;
            const key = ((d[i]! >> 3) << 10) | ((d[i + 1]! >> 3) << 5) | (d[i + 2]! >> 3);
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
        }
        let bg = 0;
        let best = -1;
        for (const [k, n] of counts) if (n > best) [bg, best] = [k, n];
        return [(bg >> 10) << 3, ((bg >> 5) & 31) << 3, (bg & 31) << 3] as const;
      };
      const differs = (i: number, bg: readonly [number, number, number]) =>
        Math.abs(d[i]! - bg[0]) + Math.abs(d[i + 1]! - bg[1]) + Math.abs(d[i + 2]! - bg[2]) > 60;

      const rects = boxes.map(rect);
      const shares = rects.map((r) => {
        const area = Math.max(0, r.x1 - r.x0) * Math.max(0, r.y1 - r.y0);
        if (area === 0) return 0;
        const bg = dominant(r);
        let painted = 0;
        for (let y = r.y0; y < r.y1; y++)
          for (let x = r.x0; x < r.x1; x++) if (differs((y * c.width + x) * 4, bg)) painted++;
        return painted / area;
      });
      const whole = dominant({ x0: 0, y0: 0, x1: c.width, y1: c.height });
      const ignored = (() => {
        if (!ignoreVar) return null;
        const probe = document.createElement("canvas").getContext("2d")!;
        probe.fillStyle = getComputedStyle(document.documentElement).getPropertyValue(ignoreVar).trim() || "#000";
        probe.fillRect(0, 0, 1, 1);
        return probe.getImageData(0, 0, 1, 1).data;
      })();
      const isIgnored = (i: number) =>
        ignored !== null &&
        Math.abs(d[i]! - ignored[0]!) + Math.abs(d[i + 1]! - ignored[1]!) + Math.abs(d[i + 2]! - ignored[2]!) <= 45;
      let outside = 0;
      for (let y = 0; y < c.height; y++) {
        for (let x = 0; x < c.width; x++) {
          if (rects.some((r) => x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1)) continue;
          const i = (y * c.width + x) * 4;
          if (differs(i, whole) && !isIgnored(i)) outside++;
        }
      }
      return { boxes: shares, outside };
    },
    {
      b64: png.toString("base64"),
      boxes,
      dx: clip.x,
      dy: clip.y,
      clipWidth: clip.width,
      ignoreVar: opts.ignoreCssColor ?? null,
    },
  );
}
