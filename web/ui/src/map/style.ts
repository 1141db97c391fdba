// Colours and scales shared by the map layers and the legend.

/** Funnel stages in method order, then the two outcomes. */
export const STAGES = ["target", "list", "potential", "intent", "order", "in_network", "lost", "churned"] as const;

/** STAGE_COLORS: cool to warm along the funnel, green for in-network, greys for the outcomes. */
export const STAGE_COLORS: Record<string, string> = {
  target: "#90a4ae",
  list: "#1e88e5",
  potential: "#8e24aa",
  intent: "#fb8c00",
  order: "#e53935",
  in_network: "#2e7d32",
  lost: "#6d4c41",
  churned: "#212121",
};

export const UNKNOWN_STAGE_COLOR = "#9e9e9e";

export const RESOURCE_STATUSES = ["existing", "under_construction", "planned"] as const;

export const RESOURCE_COLORS: Record<string, string> = {
  existing: "#2e7d32",
  under_construction: "#ef6c00",
  planned: "#5e35b1",
};

/**
 * HEX_CLASSES colour the customer hexagons by density (customers per km²),
 * not by raw count: the hexagons are bigger at low zoom (H3 resolution 6 is
 * ~36 km², 9 is ~0.1 km²), so a count scale would be dark at low zoom and
 * pale at high zoom. Lower bounds, ascending (a YlOrRd ramp).
 */
export const HEX_CLASSES: readonly { min: number; color: string }[] = [
  { min: 0, color: "#ffffb2" },
  { min: 10, color: "#fed976" },
  { min: 50, color: "#feb24c" },
  { min: 100, color: "#fd8d3c" },
  { min: 200, color: "#f03b20" },
  { min: 500, color: "#bd0026" },
];

/** hexColor is the colour of a hexagon holding density customers per km². */
export function hexColor(density: number): string {
  let c = HEX_CLASSES[0].color;
  for (const k of HEX_CLASSES) if (density >= k.min) c = k.color;
  return c;
}

export const DISTRICT_STYLE = { color: "#263238", weight: 2.5, opacity: 0.85, fill: false, dashArray: "8 4" };

export const GRID_STYLE = { color: "#1565c0", weight: 1.5, opacity: 0.9, fillColor: "#64b5f6", fillOpacity: 0.08 };

export const GRID_SELECTED_STYLE = { color: "#d81b60", weight: 3, fillOpacity: 0.18 };
