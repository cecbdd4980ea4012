/**
 * Entry point: fetch this origin's /amplify-config.json, configure Amplify with it unchanged,
 * and render. The same bundle works against the local stack and a deployed one.
 */
import { Amplify } from 'aws-amplify';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createPizzaApi } from './api.js';
import { App } from './App.js';
import { loadAmplifyConfig } from './config.js';
import { ApiContext } from './hooks.js';
import './styles.css';

async function start(root: HTMLElement): Promise<void> {
  const view = createRoot(root);
  try {
    Amplify.configure(await loadAmplifyConfig());
  } catch (error) {
    view.render(
      <div className="panel errors" role="alert">
        <p>
          <strong>Could not load the API configuration.</strong> {error instanceof Error ? error.message : String(error)}
        </p>
      </div>,
    );
    return;
  }
  const api = createPizzaApi();
  view.render(
    <StrictMode>
      <ApiContext.Provider value={api}>
        <App />
      </ApiContext.Provider>
    </StrictMode>,
  );
}

const root = document.getElementById('root');
if (root !== null) void start(root);
