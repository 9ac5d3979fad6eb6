/** The page shell. Subscriptions, keys and usage arrive with the web issue. */
export function App() {
  return (
    <main>
      <h1>FlareFlow</h1>
      <p>LLM access paid in FLOW, with every bill attested by Flare and settled on Flow.</p>
    </main>
  );
}
