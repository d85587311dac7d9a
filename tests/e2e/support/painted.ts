import type { Locator, Page } from "@playwright/test";

/**
 * Share of a screen region's pixels that differ clearly from its most common colour: what the
 * user sees painted there (node boxes, labels, edges), not what the DOM claims. An empty canvas
 * (background and grid dots) scores near 0. The screenshot is decoded by Chromium itself.
 */
export async function paintedShare(page: Page, region: Locator | { x: number; y: number; width: number; height: number }): Promise<number> {
  const clip = "boundingBox" in region ? await region.boundingBox() : region;
  if (!clip || clip.width < 4 || clip.height < 4) return 0;
  const png = await page.screenshot({ clip });
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext("2d")!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const counts = new Map<number, number>();
    for (let i = 0; i < d.length; i += 4) {
      const key = ((d[i]! >> 3) << 10) | ((d[i + 1]! >> 3) << 5) | (d[i + 2]! >> 3);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let bg = 0;
    let best = -1;
    for (const [k, n] of counts) if (n > best) [bg, best] = [k, n];
    const br = (bg >> 10) << 3, bgG = ((bg >> 5) & 31) << 3, bb = (bg & 31) << 3;
    let painted = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i]! - br) + Math.abs(d[i + 1]! - bgG) + Math.abs(d[i + 2]! - bb) > 60) painted++;
    }
    return painted / (d.length / 4);
  }, png.toString("base64"));
}
