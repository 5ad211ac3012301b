/**
 * Entry point: starts the login session (taking a `#key=` from the URL before anything else can see it), the
 * theme, and renders the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { startSession } from './auth/session.ts';
import { startTheme } from './prefs.ts';
import './styles/tokens.css';
import './styles/base.css';
import './components/components.css';
import './app/shell.css';

startSession();
startTheme();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
