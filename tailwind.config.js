/** @type {import('tailwindcss').Config} */
// Build: npx tailwindcss -i static/css/input.css -o static/css/app.css --minify
// (or npm run build:css). The generated app.css is committed.
module.exports = {
  content: ["./views/**/*.templ", "./views/**/*.go", "./static/js/**/*.js"],
  theme: {
    extend: {},
  },
  plugins: [
    // "class" strategy: only elements that ask for form-input & co. are
    // restyled, and only the classes in use end up in app.css.
    require("@tailwindcss/forms")({ strategy: "class" }),
  ],
};
