/** Entry point: restore the graph, then render the editor. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { editorStore } from '../store';
import { App } from './App';
import { bootstrap, initialTheme } from './bootstrap';

declare global {
  interface Window {
    /** Read-only hooks for end-to-end tests and debugging in the console. */
    latentLab?: { getDocument(): unknown; flush(): Promise<void> };
  }
}

async function main() {
  editorStore.getState().setTheme(initialTheme());
  const autosave = await bootstrap(editorStore).catch((e: Error) => {
    editorStore.getState().notify('error', `Autosave is off: ${e.message}`);
    return null;
  });
  window.latentLab = {
    getDocument: () => structuredClone(editorStore.getState().doc),
    flush: () => autosave?.flush() ?? Promise.resolve(),
  };
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App autosave={autosave} />
    </StrictMode>,
  );
}

void main();
