import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { endAdminSession } from "@trailmark/core/admin";
import {
  clearSessionCookie,
  LOGIN_PATH,
  readCookie,
  requireStandaloneContext,
  SESSION_COOKIE,
} from "../admin/standalone.server.ts";
import { getDatabase } from "../db.server.ts";

// Signing out is an action like any other: it needs the session's CSRF token.
export const loader = () => redirect("/admin");

export const action = async ({ request }: ActionFunctionArgs) => {
  await requireStandaloneContext(request);
  await endAdminSession(getDatabase().db, readCookie(request, SESSION_COOKIE));
  return redirect(LOGIN_PATH, { headers: { "Set-Cookie": clearSessionCookie(request) } });
};
