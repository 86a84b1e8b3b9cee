import { startLanguage } from './i18n.js';
import { defineApp } from './components/cp-app.js';

// The page's words in its language before the first render (startLanguage falls back to English itself).
void startLanguage().then(defineApp);
