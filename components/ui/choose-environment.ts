/** The environment rules live in lib/ (the server warms the layout of the view the UI opens on). */
export * from "@/lib/choose-environment";
