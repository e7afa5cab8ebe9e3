// A page's Print button ([data-print]): the browser's print dialog. A file, not an inline
// handler: the Content-Security-Policy allows no inline script.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});
