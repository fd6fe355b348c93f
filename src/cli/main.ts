console.log('breakglass');
