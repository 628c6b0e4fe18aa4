// A refused form is answered at the form's own address: give this history entry the page's
// address, so that reloading shows the page again instead of sending the form a second time.
const address = document.body.dataset.pageAddress;
if (address) {
  history.replaceState(null, "", address + location.hash);
}
