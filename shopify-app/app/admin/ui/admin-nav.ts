// The admin's sections, in the order both shells show them (Polaris Navigation standalone, App Bridge's NavMenu
// embedded).
export const ADMIN_NAV = [
  { path: "", label: "Overview" },
  { path: "/campaigns", label: "Campaigns" },
  { path: "/creators", label: "Creators" },
  { path: "/applications", label: "Applications" },
  { path: "/conversions", label: "Conversions" },
  { path: "/payouts", label: "Payouts" },
  { path: "/models", label: "Model comparison" },
  { path: "/data-requests", label: "Data requests" },
  { path: "/settings", label: "Settings" },
] as const;
