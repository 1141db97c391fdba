// Guards against two races of Leaflet 1.9 that show up when a page leaves
// the map quickly (the planner pages navigate right after an edit or a
// publish), each an uncaught TypeError in the console:
//
//   - a canvas renderer's redraw, requested by an animation frame, can run
//     after the renderer's canvas is gone (Cannot read properties of
//     undefined (reading 'save')): the redraw is skipped when there is no
//     canvas any more, as there is nothing to draw on;
//   - the end of a zoom animation is handled by a timer that map.remove()
//     does not clear (reading '_leaflet_pos'): the map page's cleanup says
//     no zoom is animating (index.ts), which makes that handler return.
import L from "leaflet";

type CanvasInternals = L.Canvas & { _ctx?: CanvasRenderingContext2D; _redrawRequest: number | null; _redraw(): void };

const proto = L.Canvas.prototype as unknown as CanvasInternals;
const redraw = proto._redraw;
proto._redraw = function (this: CanvasInternals) {
  if (!this._ctx) {
    this._redrawRequest = null; // as the redraw would: the next request schedules anew
    return;
  }
  redraw.call(this);
};
