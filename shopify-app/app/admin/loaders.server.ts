// The admin pages' loaders, for the benchmark that times them without HTTP in front.
export * from "./pages/campaigns.server.ts";
export * from "./pages/conversions.server.ts";
export * from "./pages/creators.server.ts";
export * from "./pages/models.server.ts";
export * from "./pages/overview.server.ts";
export * from "./pages/settings.server.ts";
export * from "./store-context.server.ts";
