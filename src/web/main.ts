import './components/cp-app.js';
