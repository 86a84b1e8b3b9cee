import './components/app.js';
